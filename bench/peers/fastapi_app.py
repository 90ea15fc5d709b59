"""Peer: FastAPI on uvicorn (uvloop + httptools), from Debian's packages, run with /usr/bin/python3.

W1 `GET /hello`, W4 `POST /echo` (pydantic model), and W2 `GET /api/v1/items` written the way
FastAPI's full-stack template writes it: a JWT bearer dependency that loads the current user, then a
count query and a page query through an async SQLAlchemy session (asyncpg driver).

Run: PORT=4105 /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir bench/peers \
       --host 127.0.0.1 --port $PORT --loop uvloop --http httptools --workers 1 --no-access-log
W2 also needs DATABASE_URL (a migrated Prisma database) and JWT_SECRET; W1/W4 run without them.
"""

import os
from datetime import datetime
from decimal import Decimal
from typing import List, Optional
from urllib.parse import urlsplit, urlunsplit

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, confloat, conlist, constr
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

app = FastAPI()


@app.get("/hello")
async def hello():
    return {"hello": "world"}


class EchoBody(BaseModel):
    title: constr(min_length=1, max_length=200)
    description: Optional[str] = Field(...)  # required but nullable, as in the other peers
    price: confloat(ge=0)
    tags: conlist(str, max_items=10)
    published: bool


@app.post("/echo", response_model=EchoBody)
async def echo(body: EchoBody):
    return body


# --- W2: the Prisma tables, mapped with their quoted PascalCase/camelCase names ------------------

Base = declarative_base()


class User(Base):
    __tablename__ = "User"
    id = Column(Integer, primary_key=True)
    email = Column(String, nullable=False)


class Item(Base):
    # Attribute names follow the Prisma columns so the response model can read rows as they are.
    __tablename__ = "Item"
    id = Column(Integer, primary_key=True)
    title = Column(String, nullable=False)
    description = Column(String)
    price = Column(Numeric(12, 2))
    ownerId = Column(Integer, ForeignKey("User.id"), nullable=False)
    createdAt = Column(DateTime, nullable=False)
    updatedAt = Column(DateTime, nullable=False)


def asyncpg_url(url: str) -> str:
    """Prisma-style URL -> SQLAlchemy asyncpg URL; asyncpg rejects Prisma's `?schema=` parameter."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, "", ""))


# Created lazily so that W1/W4 runs need no database. Pool sizes stay at SQLAlchemy's defaults
# (5 + 10 overflow), as the template leaves them.
_sessionmaker = None


def get_sessionmaker():
    global _sessionmaker
    if _sessionmaker is None:
        engine = create_async_engine(asyncpg_url(os.environ["DATABASE_URL"]))
        _sessionmaker = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    return _sessionmaker


async def get_db():
    async with get_sessionmaker()() as session:
        yield session


bearer = HTTPBearer()


async def get_current_user(
    creds: HTTPAuthorizationCredentials = Depends(bearer), session: AsyncSession = Depends(get_db)
) -> User:
    """As in the template: decode the token, then load the user it names (a deleted user is refused)."""
    try:
        payload = jwt.decode(creds.credentials, os.environ["JWT_SECRET"], algorithms=["HS256"])
        user_id = int(payload["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise HTTPException(status_code=401, detail="Could not validate credentials")
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


class ItemPublic(BaseModel):
    id: int
    title: str
    description: Optional[str]
    price: Optional[Decimal]
    ownerId: int
    createdAt: datetime
    updatedAt: datetime

    class Config:
        orm_mode = True
        json_encoders = {Decimal: float}


class ItemsPage(BaseModel):
    items: List[ItemPublic]
    total: int
    skip: int
    limit: int


@app.get("/api/v1/items", response_model=ItemsPage)
async def read_items(
    skip: int = Query(0, ge=0),
    limit: int = Query(20, ge=1, le=100),
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_db),
):
    own = Item.ownerId == user.id
    total = (await session.execute(select(func.count()).select_from(Item).where(own))).scalar_one()
    page = select(Item).where(own).order_by(Item.createdAt.desc()).offset(skip).limit(limit)
    items = (await session.execute(page)).scalars().all()
    return ItemsPage(items=items, total=total, skip=skip, limit=limit)
